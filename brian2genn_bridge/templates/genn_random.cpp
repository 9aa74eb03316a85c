{#- Counter-based random numbers for synaptic code (see
    translators/random_numbers.py). mix(x) is C. Wellons' "lowbias32"
    integer hash; GeNN code has no '>>', and x / 2^k is the same shift for
    unsigned integers. -#}
{% macro mix(x) %}
{{x}} = {{x}} ^ ({{x}} / 65536u);
{{x}} = {{x}} * 2146121005u;
{{x}} = {{x}} ^ ({{x}} / 32768u);
{{x}} = {{x}} * 2221713035u;
{{x}} = {{x}} ^ ({{x}} / 65536u);
{% endmacro %}
{#- a uniform number in [0, 1), as Brian's rand(), from the word x: 32 bits
    in double, 24 in float (whose rounding could give 1 otherwise) -#}
{% macro unit(x) %}{% if double %}((scalar){{x}} * 2.3283064365386963e-10){% else %}((scalar)({{x}} / 256u) * 5.9604644775390625e-08f){% endif %}{% endmacro %}
{% macro word(x) %}
uint32_t {{x}} = bsynkey + bsyncount * 2654435769u;
bsyncount++;
{{ mix(x) }}
{{ mix(x) }}
{% endmacro %}
{% if kind == "key" %}
{#- the stream of one synapse in one time step and code part -#}
uint32_t bsyncount = 0u;
uint32_t bsynkey = {{seed}} ^ {{salt}}u;
{{ mix("bsynkey") }}
bsynkey = bsynkey ^ ((uint32_t)round(t / dt));
{{ mix("bsynkey") }}
bsynkey = bsynkey + (uint32_t)({{synapse}}) * 2246822519u;
{{ mix("bsynkey") }}
{% elif kind == "uniform" %}
{{ word(name + "w") }}
const scalar {{name}} = {{ unit(name + "w") }};
{% elif kind == "normal" %}
{#- Box-Muller transform of two uniform numbers, the first in (0, 1] -#}
{{ word(name + "a") }}
{{ word(name + "b") }}
const scalar {{name}} = sqrt(-2.0 * log(1.0 - {{ unit(name + "a") }})) * cos(6.283185307179586 * {{ unit(name + "b") }});
{% endif %}
