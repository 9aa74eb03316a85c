{#- A Poisson-distributed integer {{name}} of mean {{lam}}, drawn as numpy
    draws it (Brian's reference): below a mean of 10 by multiplying uniform
    numbers until the product falls below exp(-mean), above it by Hörmann's
    transformed rejection with squeeze (PTRS). -#}
int32_t {{name}} = 0;
{
    const scalar bplam = {{lam}};
    if (bplam >= 10) {
        const scalar bpslam = sqrt(bplam);
        const scalar bploglam = log(bplam);
        const scalar bpb = 0.931 + 2.53 * bpslam;
        const scalar bpa = -0.059 + 0.02483 * bpb;
        const scalar bpinvalpha = 1.1239 + 1.1328 / (bpb - 3.4);
        const scalar bpvr = 0.9277 - 3.6224 / (bpb - 2);
        while (true) {
            const scalar bpu = gennrand_uniform() - 0.5;
            const scalar bpv = gennrand_uniform();
            const scalar bpus = 0.5 - fabs(bpu);
            if (bpus <= 0) {
                continue;  // a uniform number at the end of its range
            }
            const int32_t bpk = (int32_t)floor((2 * bpa / bpus + bpb) * bpu + bplam + 0.43);
            if (bpus >= 0.07 && bpv <= bpvr) {
                {{name}} = bpk;
                break;
            }
            if (bpk < 0 || (bpus < 0.013 && bpv > bpus)) {
                continue;
            }
            if (log(bpv) + log(bpinvalpha) - log(bpa / (bpus * bpus) + bpb)
                    <= -bplam + bpk * bploglam - lgamma(bpk + 1.0)) {
                {{name}} = bpk;
                break;
            }
        }
    }
    else {
        const scalar bpenlam = exp(-bplam);
        scalar bpprod = gennrand_uniform();
        while (bpprod > bpenlam) {
            {{name}}++;
            bpprod *= gennrand_uniform();
        }
    }
}
