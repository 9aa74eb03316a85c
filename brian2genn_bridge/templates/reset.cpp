{# USES_VARIABLES { N } #}
{{scalar_code}}
{{vector_code}}
