{# USES_VARIABLES { _synaptic_pre } #}
{{scalar_code}}
{{vector_code}}
