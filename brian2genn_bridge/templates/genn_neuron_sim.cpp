{#- GeNN step m runs synapses first, then this code: it completes Brian's
    step m - 1 (synaptic effects, reset, 'end' slot), then does Brian's
    step m up to its thresholds; first_part and second_part are the
    conditions of the two (expressions.part_conditions: a run's first and
    finishing steps, or alternate steps in models with two GeNN steps per
    Brian step). Blocks of items (run_regularly operations, summed
    variables and StateMonitor recordings) are in Brian's order. -#}
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
{% macro block(items) %}
{% for item in items %}
{% if item.is_operation is defined %}
{{ operation(item) }}
{%- else %}
{{ recording(item) }}
{%- endif %}
{% endfor %}
{% endmacro %}
// ---- Brian's step m - 1, after its 'thresholds' slot
if ({{first_part}}) {
{{ block(blocks.before_synapses) }}
{% for target, input_var in inputs %}
// synaptic input (Brian's 'synapses' slot)
{{target}} += {{input_var}};
{% endfor %}
{% for name, code, start, stop in poisson_inputs %}
// {{name}} (Brian's 'synapses' slot)
if (id >= {{start}} && id < {{stop}}) {
    {{code|indent(4)}}
}
{% endfor %}
{{ block(blocks.before_resets) }}
{% if reset %}
if (bspiked) {
    // reset (Brian's 'resets' slot)
    {{reset|indent(4)}}
}
{% endif %}
{{ block(blocks.after_resets) }}
}
// ---- Brian's step m, up to its 'thresholds' slot
bool bspike = false;
if ({{second_part}}) {
{{ block(blocks.before_update) }}
{% if state_update %}
    // state update (Brian's 'groups' slot)
    {
        {{state_update|indent(8)}}
    }
{% endif %}
{{ block(blocks.after_update) }}
{% if threshold %}
    // threshold (Brian's 'thresholds' slot)
    {
        {{threshold|indent(8)}}
        bspike = b_cond;
    }
{% endif %}
{% if refractory or spike_recordings %}
    if (bspike) {
{% if refractory %}
        // refractoriness starts at the spike (Brian's threshold template)
        lastspike = t;
        not_refractory = false;
{% endif %}
{% for rec in spike_recordings %}
        // {{rec.monitor_name}}: variables at the spike
        {
            const int64_t brec_slot = ({{step}} - rec_first_{{rec.monitor_name}}[0]) * {{rec.n_neurons}} + id;
            {{rec.code|indent(12)}}
{% for name in rec.variables %}
            rec_{{rec.monitor_name}}_{{name}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
        }
{% endfor %}
    }
{% endif %}
{{ block(blocks.after_threshold) }}
}
{% if reset %}
bspiked = bspike;
{% endif %}
