{% for target, input_var in inputs %}
// synaptic input from the previous step (Brian's 'synapses' slot)
{{target}} += {{input_var}};
{% endfor %}
{% for rec in state_recordings %}
// {{rec.monitor_name}}: record before the update (Brian's 'start' slot)
if (rec_index_{{rec.monitor_name}} >= 0) {
    const int64_t brec_step = (int64_t)round(t / dt);
    if (brec_step % {{rec.every}} == 0) {
        const int64_t brec_slot = (brec_step / {{rec.every}} - rec_first_{{rec.monitor_name}}[0]) * {{rec.n_indices}} + rec_index_{{rec.monitor_name}};
        {{rec.code|indent(8)}}
{% for name in rec.variables %}
        rec_{{rec.monitor_name}}_{{name}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
    }
}
{% endfor %}
{% if state_update %}
// state update (Brian's 'groups' slot)
{
    {{state_update|indent(4)}}
}
{% endif %}
{% if threshold %}
// threshold (Brian's 'thresholds' slot)
bool bspike = false;
{
    {{threshold|indent(4)}}
    bspike = b_cond;
}
{% endif %}
