{#- GeNN's initialisation code of synapses made when the model is loaded
    (see translators/synapse_creation.py). Random numbers come from the
    counter-based hash of genn_random.cpp, keyed by the seed (bseed[0], an
    extra global parameter), a salt and the row (and column): the same
    numbers on every backend. -#}
{#- C. Wellons' "lowbias32" hash, as in genn_random.cpp -#}
{% macro mix(x) %}
{{x}} = {{x}} ^ ({{x}} / 65536u);
{{x}} = {{x}} * 2146121005u;
{{x}} = {{x}} ^ ({{x}} / 32768u);
{{x}} = {{x}} * 2221713035u;
{{x}} = {{x}} ^ ({{x}} / 65536u);
{% endmacro %}
{% macro key(salt, post=False) %}
uint32_t bsyncount = 0u;
uint32_t bsynkey = bseed[0] ^ {{salt}};
{{ mix("bsynkey") }}
bsynkey = bsynkey + id_pre * 2246822519u;
{{ mix("bsynkey") }}
{% if post %}
bsynkey = bsynkey + id_post * 3266489917u;
{{ mix("bsynkey") }}
{% endif %}
{% endmacro %}
{% macro word(x) %}
uint32_t {{x}} = bsynkey + bsyncount * 2654435769u;
bsyncount++;
{{ mix(x) }}
{{ mix(x) }}
{% endmacro %}
{% macro body() %}
const int bj = (int)({{element}});
{% for draw in condition_draws %}
{{ draw }}
{% endfor %}
if ({{condition or "true"}}) {
{% if check %}
if (bj >= 0 && bj < {{n_post}}) {
{% endif %}
const unsigned int bpost = (unsigned int)bj + {{post_start}};
{% for copy in range(copies) %}
if (brow < {{max_row}}) {
addSynapse(bpost);
brow++;
}
{% endfor %}
{% if check %}
}
{% endif %}
}
{% endmacro %}
{% if kind == "uniform" %}
{#- a uniform number in [0, 1) -#}
{{ word(name + "w") }}
const double {{name}} = (double){{name}}w * 2.3283064365386963e-10;
{% elif kind == "normal" %}
{{ word(name + "a") }}
{{ word(name + "b") }}
const double {{name}} = sqrt(-2.0 * log(1.0 - (double){{name}}a * 2.3283064365386963e-10)) * cos(6.283185307179586 * (double){{name}}b * 2.3283064365386963e-10);
{% elif kind == "row" %}
{#- the rows of a source subgroup's neurons (GeNN's population is its group) -#}
if (id_pre >= {{pre_start}} && id_pre < {{pre_stop}}) {
{{ key(salt) }}
unsigned int brow = 0u;
const int blow = (int)({{low}});
const int bhigh = (int)({{high}});
const int bstep = (int)({{step}});
{% if sample %}
{% for draw in p_draws %}
{{ draw }}
{% endfor %}
const double bp = {{p}};
const double blogq = (bp < 1.0) ? log(1.0 - bp) : -1.0;
int bk = blow - bstep;
while (bp > 0.0) {
{#- the candidates to the next one kept: geometrically distributed -#}
{{ word("bu") }}
double bjump = 0.0;
if (bp < 1.0) {
bjump = floor(log(1.0 - (double)bu * 2.3283064365386963e-10) / blogq);
}
const double bnext = (double)bk + (double)bstep * (1.0 + bjump);
if (bnext >= (double)bhigh) {
break;
}
bk = (int)bnext;
{{ body() }}
}
{% else %}
for (int bk = blow; bk < bhigh; bk += bstep) {
{{ body() }}
}
{% endif %}
}
{% elif kind == "value" %}
{% if draws %}
{{ key(salt, post=True) }}
{% for draw in draws %}
{{ draw }}
{% endfor %}
{% endif %}
value = ({{ctype}})({{value}});
{% endif %}
