#
# Cookbook:: parity_app
# Recipe:: default
#
# The app's systemd units, planned by `parity export systemd --format json` (each file's path,
# mode and contents; parity writes nothing) and written by Chef's own resources: Chef owns the
# files, a converge shows each change, and a second converge changes nothing.
#
require 'json'

cfg = node['parity_app']
app = cfg['app']
location = cfg['location']
state_file = ::File.join(cfg['state_dir'], "#{app}.json")

# The plan, computed when the recipe is compiled. The real LOCATION is passed (not a staging
# directory): the units name LOCATION/APP.env in EnvironmentFile=, and --format json writes nothing.
# No -l: systemd units log to the journal (parity warns that -l is for runit).
command = [cfg['parity'], 'export', 'systemd', location, '--format', 'json',
           '-d', cfg['root'], '-a', app, '-E', cfg['environment']]
command += ['-u', cfg['user']] if cfg['user']
command += ['-m', cfg['formation']] if cfg['formation']
plan = JSON.parse(shell_out!(*command).stdout)
raise "parity export planned #{plan['format']}, not systemd" unless plan['format'] == 'systemd'

execute 'systemctl daemon-reload' do
  action :nothing
end

# systemd's plan has no directories; other formats' (runit) do.
plan['dirs'].each do |dir|
  directory ::File.join(location, dir['path']) do
    mode dir['mode']
  end
end

plan['files'].each do |f|
  file ::File.join(location, f['path']) do
    owner 'root'
    group 'root'
    mode f['mode'] # "0644" for units, "0600" for APP.env (the secrets)
    content f['encoding'] == 'base64' ? f['contents'].unpack1('m') : f['contents']
    sensitive true if (f['mode'].to_i(8) & 0o077).zero? # no diff of the secrets in the log
    notifies :run, 'execute[systemctl daemon-reload]', :immediately
    notifies :restart, "service[#{app}.target]", :delayed
  end
end

# Stale files: only those this recipe wrote last time (its state file) and no longer plans, as
# parity's own record does (web=2 to web=1 removes APP-web.2.service; nothing else is touched).
current = plan['files'].map { |f| f['path'] }
previous = ::File.exist?(state_file) ? JSON.parse(::File.read(state_file)) : { 'files' => [] }
(previous['files'] - current).each do |path|
  next if path.start_with?('/') || path.split('/').include?('..')
  if path.end_with?('.service')
    service path do # stop it while systemd still knows its unit
      action :stop
    end
  end
  file ::File.join(previous['location'] || location, path) do
    action :delete
    notifies :run, 'execute[systemctl daemon-reload]', :immediately
  end
end

# Written after the files: a run that fails before here keeps the old list for the next run.
directory cfg['state_dir'] do
  mode '0755'
end

file state_file do
  mode '0644'
  content JSON.pretty_generate('app' => app, 'location' => location, 'files' => current) + "\n"
end

service "#{app}.target" do
  action [:enable, :start]
end
