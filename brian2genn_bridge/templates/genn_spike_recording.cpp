{#- A SpikeMonitor's values in a slot after the thresholds of Brian's step
    m, taken in GeNN step m + 1 for the neurons that spiked in step m; the
    device points rec_first at the chunk's first Brian step (window - 1). -#}
// {{rec.monitor_name}}: variables at the spike, in Brian's '{{rec.when}}' slot
if (bspiked) {
    const int64_t brec_slot = ((int64_t)round(t / dt) - 1 - rec_first_{{rec.monitor_name}}[0]) * {{rec.n_neurons}} + id;
    {{code|indent(4)}}
{% for name in rec.variables %}
    rec_{{rec.monitor_name}}_{{name}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
}
