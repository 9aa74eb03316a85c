{# USES_VARIABLES { N } #}
{# ITERATE_ALL { _idx } #}
{{scalar_code}}
{{vector_code}}
