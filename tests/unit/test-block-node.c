/* test-block-node.c: the qemu block node of a user's disk, as qemu and
 * qemu-storage-daemon get it. */
#include <stdlib.h>
#include "backend-select/hv/block-node.h"
#include "image/image-formats.h"
#include "tests/unit/check.h"

static void
expect (const struct block_node *n, const char *want)
{
  char *got = block_node_json (n);
  CHECK_STR (got, want);
  free (got);
}

int
main (void)
{
  CHECK (image_format_has_backing ("qcow2"));
  CHECK (image_format_has_backing ("qcow"));
  CHECK (image_format_has_backing ("qed"));
  CHECK (image_format_has_backing ("vmdk"));
  CHECK (!image_format_has_backing ("raw"));
  CHECK (!image_format_has_backing ("vdi"));
  CHECK (!image_format_has_backing ("vhdx"));
  CHECK (!image_format_has_backing (NULL));

  /* What qemu gets (hv-qemu.c): exactly the chain imgmount checked. */
  expect (&(struct block_node) { .format = "qcow2", .file = "/a/\"b\".qcow2", .backing = "null" },
          "{\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\",\"filename\":\"/a/\\\"b\\\".qcow2\"},"
          "\"backing\":null}");
  /* No backing given: none, never the header's. */
  expect (&(struct block_node) { .format = "vmdk", .file = "/x" },
          "{\"driver\":\"vmdk\",\"file\":{\"driver\":\"file\",\"filename\":\"/x\"},\"backing\":null}");
  /* Formats without a chain get no backing key. */
  expect (&(struct block_node) { .format = "vdi", .file = "/x", .backing = "{\"driver\":\"raw\"}" },
          "{\"driver\":\"vdi\",\"file\":{\"driver\":\"file\",\"filename\":\"/x\"}}");
  /* What qemu-storage-daemon gets (hv-qsd.c). */
  expect (&(struct block_node) { .node_name = "disk0", .format = "qcow2", .file = "/x",
                                 .backing = "{\"driver\":\"raw\"}", .cache = "none" },
          "{\"node-name\":\"disk0\",\"driver\":\"qcow2\",\"file\":{\"driver\":\"file\","
          "\"filename\":\"/x\"},\"backing\":{\"driver\":\"raw\"},"
          "\"cache\":{\"direct\":true,\"no-flush\":false}}");
  expect (&(struct block_node) { .format = "raw", .file = "/x", .read_only = true,
                                 .cache = "unsafe" },
          "{\"driver\":\"raw\",\"file\":{\"driver\":\"file\",\"filename\":\"/x\"},"
          "\"read-only\":true,\"cache\":{\"direct\":false,\"no-flush\":true}}");
  expect (&(struct block_node) { .format = "vhdx", .file = "/x", .cache = "writeback" },
          "{\"driver\":\"vhdx\",\"file\":{\"driver\":\"file\",\"filename\":\"/x\"},"
          "\"cache\":{\"direct\":false,\"no-flush\":false}}");
  return CHECK_DONE ();
}
