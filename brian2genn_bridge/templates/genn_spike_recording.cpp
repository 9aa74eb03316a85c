{#- A SpikeMonitor's (or EventMonitor's) values at the spike (event) of
    Brian's step ``step``, for the neurons whose ``flag`` is set: right after
    the threshold (event condition), or in a slot after the thresholds, taken
    in the part of a GeNN step that completes Brian's step. -#}
// {{rec.monitor_name}}: variables at the {{ "spike" if rec.event == "spike" else "event '" ~ rec.event ~ "'" }}, in Brian's '{{rec.when}}' slot
if ({{flag}}) {
    const int64_t brec_slot = ({{step}} - {{rec.first_sample}}[0]) * {{rec.n_neurons}} + id;
    {{code|indent(4)}}
{% for name in rec.variables %}
    {{rec.buffer(name)}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
}
