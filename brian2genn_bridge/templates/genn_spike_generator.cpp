// Brian's SpikeGeneratorGroup: emit the spike of this step's time bin
{% if period > 0 %}
const int64_t bstep = (int64_t)round(t / dt) % {{period}};
if (bstep == 0) {
    next = first;
}
{% else %}
const int64_t bstep = (int64_t)round(t / dt);
{% endif %}
bool bspike = false;
while (next < end && bins[next] <= bstep) {
    bspike = bspike || bins[next] == bstep;
    next++;
}
