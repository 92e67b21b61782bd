name 'parity_app'
maintainer 'parity'
license 'MIT'
description "Installs an app's systemd units from parity export's JSON plan"
version '0.1.0'
chef_version '>= 16.0'
supports 'debian'
supports 'ubuntu'
