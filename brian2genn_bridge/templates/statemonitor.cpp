{# USES_VARIABLES { t, _clock_t, _indices, N } #}
{# WRITES_TO_READ_ONLY_VARIABLES { t, N } #}
{# declares one local b_to_record_<name> per recorded variable #}
{{scalar_code}}
{{vector_code}}
