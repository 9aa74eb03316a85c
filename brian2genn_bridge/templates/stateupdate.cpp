{# USES_VARIABLES { N } #}
{# ALLOWS_SCALAR_WRITE #}
{# Brian's state update of a group: the statements of one time step #}
{% if scalar_code %}
{{scalar_code}}
{# the marker after which operations.py finds the per-neuron statements #}
// per-neuron statements
{% endif %}
{{vector_code}}
