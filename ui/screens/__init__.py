"""One module per screen of the guest flow: Welcome ▸ Details ▸ Notice ▸ Badge ▸ Done."""
