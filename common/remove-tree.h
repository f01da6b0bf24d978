/* remove-tree.h: removing a directory and everything under it, without
 * following symbolic links out of it. */
#ifndef IMGMOUNT_REMOVE_TREE_H
#define IMGMOUNT_REMOVE_TREE_H

/* Removes PATH (a file, a link or a directory tree); a symbolic link is
 * removed, never followed.  Returns 0, or -1 with errno from the first
 * thing that could not be removed (ENOENT when PATH is not there). */
int remove_tree (const char *path);

#endif
