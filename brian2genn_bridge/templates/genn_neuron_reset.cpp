{% for rec in spike_recordings %}
// {{rec.monitor_name}}: variables at the spike, before the reset
{
    const int64_t brec_slot = ((int64_t)round(t / dt) - rec_first_{{rec.monitor_name}}[0]) * {{rec.n_neurons}} + id;
    {{rec.code|indent(4)}}
{% for name in rec.variables %}
    rec_{{rec.monitor_name}}_{{name}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
}
{% endfor %}
{% if refractory %}
// refractoriness starts at the spike (Brian's threshold template)
lastspike = t;
not_refractory = false;
{% endif %}
{% if reset %}
// reset (Brian's 'resets' slot)
{
    {{reset|indent(4)}}
}
{% endif %}
