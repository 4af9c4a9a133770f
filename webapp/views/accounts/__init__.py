"""Pages of accounts: signing in and out and the language (`auth`), the administrators' user
pages (`admin`)."""
