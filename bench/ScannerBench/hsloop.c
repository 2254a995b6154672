/* The C side of the P/Invoke comparison (deploy/bench/spam.sh): the same serialized Hyperscan
 * database and the same buffers as ScannerBench's "dump", scanned in a plain loop with a callback
 * that only counts. Build: gcc -O2 hsloop.c -lhs */
#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx) {
    (void)id; (void)from; (void)to; (void)flags;
    ++*(long *)ctx;
    return 0;
}

static char *slurp(const char *path, size_t *length) {
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(1); }
    fseek(f, 0, SEEK_END);
    *length = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *bytes = malloc(*length);
    if (fread(bytes, 1, *length, f) != *length) { perror(path); exit(1); }
    fclose(f);
    return bytes;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: hsloop DB BUFFERS [PASSES]\n"); return 2; }
    int passes = argc > 3 ? atoi(argv[3]) : 20;
    size_t dblen, buflen;
    char *dbbytes = slurp(argv[1], &dblen);
    char *data = slurp(argv[2], &buflen);
    hs_database_t *db = NULL;
    if (hs_deserialize_database(dbbytes, dblen, &db) != HS_SUCCESS) { fprintf(stderr, "hs_deserialize_database failed\n"); return 1; }
    hs_scratch_t *scratch = NULL;
    if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) { fprintf(stderr, "hs_alloc_scratch failed\n"); return 1; }

    /* BinaryWriter's layout: int32 count, then (int32 length, bytes) per buffer. */
    int32_t count = *(int32_t *)data;
    const char **starts = malloc(sizeof(char *) * (size_t)count);
    uint32_t *lengths = malloc(sizeof(uint32_t) * (size_t)count);
    size_t at = 4;
    for (int i = 0; i < count; i++) {
        lengths[i] = *(uint32_t *)(data + at);
        starts[i] = data + at + 4;
        at += 4 + lengths[i];
    }

    long matches = 0;
    for (int i = 0; i < count; i++) hs_scan(db, starts[i], lengths[i], 0, scratch, on_match, &matches); /* warm-up */
    matches = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int p = 0; p < passes; p++)
        for (int i = 0; i < count; i++) hs_scan(db, starts[i], lengths[i], 0, scratch, on_match, &matches);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("c: %d buffers x %d passes in %.3f s = %.0f scans/s (%ld matches)\n", count, passes, seconds, count * (double)passes / seconds, matches);
    return 0;
}
