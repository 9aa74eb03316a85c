// Brian's SpikeGeneratorGroup: emit the spike of this step's time bin
// (nothing in the device's finishing step, bphase 1, which completes the last one)
bool bspike = false;
if (bphase != 1) {
{% if period > 0 %}
    const int64_t bstep = (int64_t)round(t / dt) % {{period}};
    if (bstep == 0) {
        next = first;
    }
{% else %}
    const int64_t bstep = (int64_t)round(t / dt);
{% endif %}
    while (next < end && bins[next] <= bstep) {
        bspike = bspike || bins[next] == bstep;
        next++;
    }
}
