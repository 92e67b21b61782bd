# The app whose Procfile (and parity.yml, env files) parity exports. The app's code and parity
# itself must be on the node before this recipe is compiled (see ../README.md).
default['parity_app']['app'] = 'shop'                    # -a: the name in unit and file names
default['parity_app']['root'] = '/srv/shop'              # -d: the app root (Procfile, env files)
default['parity_app']['environment'] = 'production'      # -E: the environment's env files and settings
default['parity_app']['user'] = 'shop'                   # -u: the user the processes run as (nil: the environment's)
# -m: instances per process type on this node; nil exports the environment's formation. A role
# narrows it: a web node 'all=0,web=2', a worker node 'all=0,worker=2' (see ../README.md).
default['parity_app']['formation'] = nil
# Where the units go, and where the recipe keeps the list of files it wrote (for pruning).
default['parity_app']['location'] = '/etc/systemd/system'
default['parity_app']['state_dir'] = '/var/lib/parity_app'
# The parity command (on PATH, or a full path such as /usr/local/bin/parity).
default['parity_app']['parity'] = 'parity'
