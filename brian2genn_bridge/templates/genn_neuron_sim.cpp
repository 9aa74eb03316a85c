{#- GeNN step m runs synapses first, then this code: it completes Brian's
    step m - 1 (synaptic effects, reset, 'end' slot), then does Brian's
    step m up to its thresholds. bphase (runtime.Phase) leaves out the first
    part in a run's first step and the second in the finishing step the
    device adds after a run's last step. Blocks of items (run_regularly
    operations and StateMonitor recordings) are in Brian's order. -#}
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
if (bphase != 2) {
{{ block(blocks.before_synapses) }}
{% for target, input_var in inputs %}
// synaptic input (Brian's 'synapses' slot)
{{target}} += {{input_var}};
{% endfor %}
{% for input_var, code in event_inputs %}
// statements of a pathway, once per synaptic event (Brian's 'synapses' slot)
for (int bk = 0; bk < (int)round({{input_var}}); bk++) {
    {{code|indent(4)}}
}
{% endfor %}
{% for name, code, start, stop in poisson_inputs %}
// {{name}} (Brian's 'synapses' slot)
if (id >= {{start}} && id < {{stop}}) {
    {{code|indent(4)}}
}
{% endfor %}
{% for s in spiker_statements if s.side == "post" %}
// {{s.pathway}}: statements on the spiking neuron, once per synapse (Brian's 'synapses' slot)
if (bspiked) {
    for (int bk = 0; bk < {{s.count_var}}; bk++) {
        {{s.code|indent(8)}}
    }
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
if (bphase != 1) {
{{ block(blocks.before_update) }}
{% if state_update %}
    // state update (Brian's 'groups' slot{{ ", at the group's clock ticks" if tick }})
    {% if tick %}if ({{tick}}) {% endif %}{
        {{state_update|indent(8)}}
    }
{% endif %}
{{ block(blocks.after_update) }}
{% if threshold %}
    // threshold (Brian's 'thresholds' slot{{ ", at the group's clock ticks" if tick }})
    {% if tick %}if ({{tick}}) {% endif %}{
        {{threshold|indent(8)}}
        bspike = b_cond;
    }
{% endif %}
{% if refractory or spike_recordings %}
    if (bspike) {
{% if refractory %}
        // refractoriness starts at the spike (Brian's threshold template)
        lastspike = {{spike_time}};
        not_refractory = false;
{% endif %}
{% for rec in spike_recordings %}
        // {{rec.monitor_name}}: variables at the spike
        {
            const int64_t brec_slot = ((int64_t)round(t / dt) - rec_first_{{rec.monitor_name}}[0]) * {{rec.n_neurons}} + id;
            {{rec.code|indent(12)}}
{% for name in rec.variables %}
            rec_{{rec.monitor_name}}_{{name}}[brec_slot] = b_to_record_{{name}};
{% endfor %}
        }
{% endfor %}
    }
{% endif %}
{{ block(blocks.after_threshold) }}
{% for s in spiker_statements if s.side == "pre" %}
    // {{s.pathway}}: statements on the spiking neuron, once per synapse (Brian's
    // 'synapses' slot, which runs on_pre pathways first; in GeNN's next step
    // the synaptic code sees the changed values, as Brian's on_post pathways do)
    if (bspike) {
        for (int bk = 0; bk < {{s.count_var}}; bk++) {
            {{s.code|indent(12)}}
        }
    }
{% endfor %}
}
{% if remember_spikes %}
bspiked = bspike;
{% endif %}
