// Brian's SpikeGeneratorGroup: emit the spike of this step's time bin
// (only in the part of GeNN steps that runs Brian's thresholds)
bool bspike = false;
{% if every > 1 %}
// the group's clock ticks every {{every}} GeNN steps
if ({{second_part}} && (int64_t)round(t / dt) % {{every}} == 0) {
    const int64_t bclock_step = (int64_t)round(t / dt) / {{every}};
{% else %}
if ({{second_part}}) {
    const int64_t bclock_step = {{step}};
{% endif %}
{% if period > 0 %}
    const int64_t bstep = bclock_step % {{period}};
    if (bstep == 0) {
        next = first;
    }
{% else %}
    const int64_t bstep = bclock_step;
{% endif %}
    while (next < end && bins[next] <= bstep) {
        bspike = bspike || bins[next] == bstep;
        next++;
    }
}
