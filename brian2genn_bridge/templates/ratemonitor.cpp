{# USES_VARIABLES { N, rate, t, _spikespace, _clock_t, _clock_dt, _num_source_neurons, _source_start, _source_stop } #}
{# WRITES_TO_READ_ONLY_VARIABLES { N } #}
{# computed on the host from GeNN's spike recording #}
