# The College admin is the heart of the operators' console: see shared_apps/console/admin.py.
