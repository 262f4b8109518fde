/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Intrusive circular doubly-linked list. */
struct vw_list {
        struct vw_list *prev, *next;
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

static inline void vw_list_init(struct vw_list *l) { l->prev = l->next = l; }
static inline bool vw_list_empty(const struct vw_list *l) { return l->next == l; }
static inline bool vw_list_linked(const struct vw_list *l) { return l->next && l->next != l; }

static inline void vw_list_insert_tail(struct vw_list *head, struct vw_list *e)
{
        e->prev = head->prev;
        e->next = head;
        head->prev->next = e;
        head->prev = e;
}

static inline void vw_list_remove(struct vw_list *e)
{
        if (!e->next)
                return;
        e->prev->next = e->next;
        e->next->prev = e->prev;
        e->prev = e->next = e;
}

#define vw_list_entry(ptr, type, member) container_of(ptr, type, member)
/* NOLINTBEGIN(bugprone-macro-parentheses): pos and tmp are names declared here, which cannot be parenthesized */
#define vw_list_for_each(pos, head) for (struct vw_list *pos = (head)->next; pos != (head); pos = pos->next)
#define vw_list_for_each_safe(pos, tmp, head) \
        for (struct vw_list *pos = (head)->next, *tmp = pos->next; pos != (head); pos = tmp, tmp = pos->next)
/* NOLINTEND(bugprone-macro-parentheses) */
