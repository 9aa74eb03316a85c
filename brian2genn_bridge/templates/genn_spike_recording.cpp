{#- A SpikeMonitor's values in a slot after the thresholds of Brian's step
    m, taken in the part of a GeNN step that completes Brian's step m, for
    the neurons that spiked in it (``step`` is m). -#}
// {{rec.monitor_name}}: variables at the spike, in Brian's '{{rec.when}}' slot
if (bspiked) {
    const int64_t brec_slot = ({{step}} - rec_first_{{rec.monitor_name}}[0]) * {{rec.n_neurons}} + id;
    {{code|indent(4)}}
{% for name in rec.variables %}
    rec_{{rec.monitor_name}}_{{name}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
}
