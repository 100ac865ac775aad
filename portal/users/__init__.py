"""Portal users: the admin's list, adding marketers and admins, deactivating them."""
