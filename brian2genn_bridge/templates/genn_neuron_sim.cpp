{#- GeNN step m runs synapses first, then this code: it completes Brian's
    step m - 1 (synaptic effects, reset, 'end' slot), then does Brian's
    step m up to its thresholds; first_part and second_part are the
    conditions of the two (expressions.part_conditions: a run's first and
    finishing steps, or alternate steps in models with two GeNN steps per
    Brian step). Blocks of items (run_regularly operations, summed
    variables, code triggered by custom events, StateMonitor recordings,
    custom event conditions and their EventMonitor recordings) are in
    Brian's order. A custom event's bevent_<event> is set by its condition
    in the second part only; bevented_<event> keeps it for the first part of
    the next step and is what synapse groups see as the event. An event
    checked after Brian's 'thresholds' slots (in the first part) sets
    bevented_<event> directly (model.EventCheck.late). -#}
{% macro operation(op) %}
// {{op.name}}: in Brian's '{{op.when}}' slot
{% if op.conditions %}
if ({{op.conditions|join(" && ")}}) {
{% else %}
{
{% endif %}
    {{op.code|indent(4)}}
}
{% endmacro %}
{% macro event_check(check) %}
// condition of the custom event '{{check.event}}' (Brian's '{{check.when}}' slot)
{
    {{check.code|indent(4)}}
{% if check.late %}
    bevented_{{check.event}} = b_cond;
{% else %}
    bevent_{{check.event}} = b_cond;
{% endif %}
}
{% if check.record %}
brec_event_{{check.event}}[({{step}} - brec_first_event_{{check.event}}[0]) * {{check.n_neurons}} + id] = bevent_{{check.event}};
{% endif %}
{% endmacro %}
{% macro block(items) %}
{% for item in items %}
{% if item.is_operation is defined %}
{{ operation(item) }}
{%- elif item.is_event_check is defined %}
{{ event_check(item) }}
{%- elif item.event is defined and item.event != "spike" %}
{{ values_at(item, "bevent_" ~ item.event) }}
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
{% for event in events %}
bool bevent_{{event}} = false;
{% endfor %}
if ({{second_part}}) {
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
{% if refractory %}
    if (bspike) {
        // refractoriness starts at the spike (Brian's threshold template)
        lastspike = {{spike_time}};
        not_refractory = false;
    }
{% endif %}
{% for rec in spike_recordings %}
    {{ values_at(rec, "bspike")|indent(4) }}
{% endfor %}
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
{% for event in events %}
// the event for the code triggered by it (first part) and for synapses
bevented_{{event}} = bevent_{{event}};
{% endfor %}
