{# USES_VARIABLES { N } #}
{# Brian's threshold: declares the local b_cond #}
{{scalar_code}}
{{vector_code}}
