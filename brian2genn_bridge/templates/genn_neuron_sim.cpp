{% macro operation(op) %}
// {{op.name}}: run_regularly in Brian's '{{op.when}}' slot
{% if op.conditions %}
if ({{op.conditions|join(" && ")}}) {
{% else %}
{
{% endif %}
    {{op.code|indent(4)}}
}
{% endmacro %}
{% macro state_recording(rec) %}
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
{% endmacro %}
{% for target, input_var in inputs %}
// synaptic input from the previous step (Brian's 'synapses' slot)
{{target}} += {{input_var}};
{% endfor %}
{# ---- block: before the state update, in Brian's order: StateMonitor
   recordings and run_regularly operations ('before_start' ... 'before_groups',
   'groups' before the state updater) #}
{% for item in before_update %}
{% if item.is_operation is defined %}
{{ operation(item) }}
{%- else %}
{{ state_recording(item) }}
{%- endif %}
{% endfor %}
{% if state_update %}
// state update (Brian's 'groups' slot)
{
    {{state_update|indent(4)}}
}
{% endif %}
{# ---- block: after the state update, before the threshold: run_regularly
   operations ('groups' after the state updater ... 'before_thresholds', and
   later slots for a group without threshold or synaptic coupling) #}
{% for op in after_update %}
{{ operation(op) }}
{%- endfor %}
{% if threshold %}
// threshold (Brian's 'thresholds' slot)
bool bspike = false;
{
    {{threshold|indent(4)}}
    bspike = b_cond;
}
{% endif %}
