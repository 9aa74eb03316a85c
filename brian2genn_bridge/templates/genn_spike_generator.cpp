// Brian's SpikeGeneratorGroup: emit the spike of this step's time bin
// (only in the part of GeNN steps that runs Brian's thresholds)
bool bspike = false;
if ({{second_part}}) {
{% if period > 0 %}
    const int64_t bstep = {{step}} % {{period}};
    if (bstep == 0) {
        next = first;
    }
{% else %}
    const int64_t bstep = {{step}};
{% endif %}
    while (next < end && bins[next] <= bstep) {
        bspike = bspike || bins[next] == bstep;
        next++;
    }
}
