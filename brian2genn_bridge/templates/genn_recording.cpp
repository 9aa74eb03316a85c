{#- A StateMonitor's sample of Brian's time step ``step`` (an expression),
    into the chunk's buffer; samples before the chunk's first are skipped. -#}
// {{rec.monitor_name}}: record in Brian's '{{rec.when}}' slot
if ({{rec.index_variable}} >= 0) {
    const int64_t brec_step = {{step}};
    if (brec_step % {{rec.every}} == 0 && brec_step / {{rec.every}} >= {{rec.first_sample}}[0]) {
        const int64_t brec_slot = (brec_step / {{rec.every}} - {{rec.first_sample}}[0]) * {{rec.n_indices}} + {{rec.index_variable}};
        {{code|indent(8)}}
{% for name in rec.variables %}
        {{rec.buffer(name)}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
    }
}
