{# USES_VARIABLES { _n_sources, _n_targets, delay, _source_dt} #}
{# spike propagation is GeNN's own #}
