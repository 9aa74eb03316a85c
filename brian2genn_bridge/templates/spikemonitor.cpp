{# USES_VARIABLES { N, _clock_t, count, _source_start, _source_stop} #}
{# WRITES_TO_READ_ONLY_VARIABLES { N, count } #}
{# declares one local b_to_record_<name> per recorded variable #}
{{scalar_code}}
{{vector_code}}
