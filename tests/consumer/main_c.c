/* Writes a file through the installed C ABI. */
#include <stdio.h>

#include <parquet_flow_c.h>

int main(void) {
    pf_writer_handle_t *w = pf_writer_create("consumer_c.parquet", PF_COMPRESSION_GZIP);
    if (!w || pf_writer_add_column(w, "x", PF_PHYSICAL_DOUBLE, PF_REPETITION_REQUIRED, 0) != PF_STATUS_OK ||
        pf_writer_open(w) != PF_STATUS_OK) {
        fprintf(stderr, "setup failed: %s\n", pf_writer_last_error(w));
        return 1;
    }
    const double xs[] = {0.5, 1.5};
    pf_column_input_t col = {.values = xs, .values_len = 2};
    if (pf_writer_write_row_group(w, 2, &col, 1) != PF_STATUS_OK || pf_writer_close(w) != PF_STATUS_OK) {
        fprintf(stderr, "write failed: %s\n", pf_writer_last_error(w));
        return 1;
    }
    pf_writer_destroy(w);
    puts("consumer_c: ok");
    return 0;
}
