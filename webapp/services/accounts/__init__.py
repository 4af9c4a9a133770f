"""Accounts: who may sign in and where they sit.

Owns the users an administrator creates and manages (`users`), signing in with its lockout
(`sign_in`), the API's bearer tokens (`tokens`), when sessions and tokens end (`sessions`), and
the tree of administrative units every scope is cut from, loaded from `vietnam-provinces` with
the crosswalk of pre-2025 codes (`units`).
"""
