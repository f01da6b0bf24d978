/* block-node.c: qemu block node descriptions (see block-node.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backend-select/hv/block-node.h"
#include "common/json-string.h"
#include "image/image-formats.h"

char *
block_node_json (const struct block_node *n)
{
  char *json;
  size_t len;
  FILE *f = open_memstream (&json, &len);
  if (!f)
    abort ();
  fputc ('{', f);
  if (n->node_name) {
    fputs ("\"node-name\":", f);
    json_put_string (f, n->node_name);
    fputc (',', f);
  }
  fputs ("\"driver\":", f);
  json_put_string (f, n->format);
  fputs (",\"file\":{\"driver\":\"file\",\"filename\":", f);
  json_put_string (f, n->file);
  fputc ('}', f);
  if (image_format_has_backing (n->format))
    fprintf (f, ",\"backing\":%s", n->backing ? n->backing : "null");
  if (n->read_only)
    fputs (",\"read-only\":true", f);
  if (n->cache)
    fprintf (f, ",\"cache\":{\"direct\":%s,\"no-flush\":%s}",
             strcmp (n->cache, "none") == 0 ? "true" : "false",
             strcmp (n->cache, "unsafe") == 0 ? "true" : "false");
  fputc ('}', f);
  fclose (f);
  return json;
}
