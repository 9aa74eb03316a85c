{# USES_VARIABLES { N } #}
{# ALLOWS_SCALAR_WRITE #}
{# Brian's state update of a group: the statements of one time step #}
{{scalar_code}}
{{vector_code}}
