{#- A binomially distributed integer {{name}} (n = {{n}}), drawn as numpy
    draws it below Brian's normal approximation (the inversion of numpy's
    rk_binomial_inversion, as Brian's C++ and Cython implementations of
    BinomialFunction): p = {{p}}, q = 1 - p, qn = q^n and the bound are
    Python's constants; for p > 0.5 it draws n minus a draw with 1 - p. -#}
int32_t {{name}} = 0;
{
    double bbpx = {{qn}};
    double bbu = gennrand_uniform();
    while (bbu > bbpx) {
        {{name}}++;
        if ({{name}} > {{bound}}) {
            {{name}} = 0;
            bbpx = {{qn}};
            bbu = gennrand_uniform();
        }
        else {
            bbu -= bbpx;
            bbpx = (({{n}} - {{name}} + 1) * {{p}} * bbpx) / ({{name}} * {{q}});
        }
    }
{% if reverse %}
    {{name}} = {{n}} - {{name}};
{% endif %}
}
