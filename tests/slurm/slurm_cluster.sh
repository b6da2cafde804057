#!/usr/bin/env bash
# A real Slurm on loopback for the Slurm tests: munged, slurmctld and `slurmd -N localhost`, with every file
# (config, key, sockets, spool, state, logs, pid files) in one short directory.
#
#   tests/slurm/slurm_cluster.sh start DIR [--nodes N] [--owner PID] [--cred-expire SECONDS]
#       start; print `export SLURM_CONF=DIR/slurm.conf` on stdout once the node(s) are idle
#   tests/slurm/slurm_cluster.sh stop DIR
#       cancel every job, stop the daemons by their pid files, then end every process of the cluster that is
#       left (idempotent); exit status 1, with the survivors listed, if any process of the cluster remains
#   tests/slurm/slurm_cluster.sh ps DIR
#       list the processes of the cluster (what `stop` ends), for diagnostics
#
# DIR must be absolute, empty or absent, and at most 60 characters long: Unix socket paths are limited to 108
# bytes. Every Slurm client needs SLURM_CONF (jobs inherit it). The node has this machine's cores; with
# --nodes N (N > 1) it is split into N pretend nodes n1..nN, one slurmd each, for jobs that need several nodes
# (a heterogeneous job's components never share a node). Node localhost (or n1) has one pretend GPU without a
# device file, enough for a job that asks for a GPU to be scheduled. With --owner, a watchdog stops the
# cluster once process PID has gone, so that a test run killed by a timeout leaves no daemons behind. Ports
# are picked free at start, so two clusters (two build trees) can run side by side.
#
# Why the configuration is what it is (see also notes/slurm.md of the workspace):
#   MinJobAge=5                   `sbatch --wait` polls every 2 s (it backs off to 8, 32 s with larger values)
#   EnforcePartLimits=ALL         sbatch refuses a job that can never run (else it pends, `sbatch --wait` hangs)
#   batch_sched_delay=0, sched_interval=1, bf_interval=1
#                                 jobs start within about a second of being eligible
#   cred_expire (--cred-expire)   Slurm's 120 s unless a test file asks for less. It is how long a requeued job
#                                 is held, and also how long a job step's launch credential is valid: with 5 s,
#                                 a 5 s pause of this loaded machine between a step's creation and its launch
#                                 made a slurmd refuse the launch ("Job credential expired"), and for a
#                                 heterogeneous step the other component's ranks then waited in PMIx's fence,
#                                 and srun with them, for ever. Only the requeue test asks for 5 s.
#   FirstJobId                    random: OpenMPI names a step's ranks after its PMIx namespace slurm.pmix.<job
#                                 id>.<step id>. With job ids starting at 1 in every cluster, two clusters side by
#                                 side ran steps of the same name at once, whose ranks then used the same shared
#                                 memory segments and session directories: both jobs crashed in the vader BTL
#                                 (SIGSEGV) or hung. Nor are the files of an earlier cluster's crashed step reused.
#   PMIxCliTmpDirBase / TmpFS     PMIx client directories under DIR: directories a crashed run left in /tmp would
#                                 collide
#   JobCompType=jobcomp/filetxt   DIR/jobcomp.log records every job's final state: there is no slurmdbd (so no
#                                 sacct), and scontrol forgets a finished job after MinJobAge
set -euo pipefail

die() { echo "slurm_cluster.sh: $*" >&2; exit 1; }

# Waits until a command succeeds, at most $1 seconds.
wait_for() {
  local limit=$1
  shift
  local end=$((SECONDS + limit))
  until "$@" > /dev/null 2>&1; do
    [[ $SECONDS -lt $end ]] || return 1
    sleep 0.2
  done
}

# A process is alive if it exists and is not a zombie (PID 1 here reaps late: a zombie still passes kill -0).
alive() {
  local state
  state=$(ps -o stat= -p "$1" 2> /dev/null) || return 1
  [[ -n "$state" && "$state" != Z* ]]
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

node_names() {
  local nodes=$1 i
  if [[ "$nodes" -eq 1 ]]; then
    echo localhost
    return
  fi
  for ((i = 1; i <= nodes; i++)); do echo "n$i"; done
}

write_config() {
  local dir=$1 nodes=$2 cred_expire=$3 cpus per_node ctld_port slurmd_port first_job_id
  cpus=$(nproc)
  per_node=$((cpus / nodes))
  [[ $per_node -ge 1 ]] || per_node=1
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  # Below MaxJobId (67,043,328) with room for every job a test file submits.
  first_job_id=$((SRANDOM % 60000000 + 1000))
  cat > "$dir/slurm.conf" << EOF
# Written by tests/slurm/slurm_cluster.sh: a test cluster on loopback, all state under $dir.
ClusterName=hstest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/sock,cred_expire=$cred_expire
StateSaveLocation=$dir/ctld
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmctldDebug=info
SlurmdDebug=info
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=pmix
ReturnToService=2
KillWait=5
MinJobAge=5
FirstJobId=$first_job_id
MailProg=/bin/true
EnforcePartLimits=ALL
SchedulerParameters=batch_sched_delay=0,sched_interval=1,bf_interval=1
DependencyParameters=kill_invalid_depend
SlurmdParameters=config_overrides
PlugStackConfig=$dir/plugstack.conf
GresTypes=gpu
EOF
  # Debian's /etc/slurm/plugstack.conf would be read otherwise; an empty one keeps the cluster self-contained.
  : > "$dir/plugstack.conf"
  local core="Sockets=1 ThreadsPerCore=1 State=UNKNOWN"
  if [[ "$nodes" -eq 1 ]]; then
    cat >> "$dir/slurm.conf" << EOF
SlurmdSpoolDir=$dir/spool
SlurmdPidFile=$dir/run/slurmd.pid
SlurmdLogFile=$dir/log/slurmd.log
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus CoresPerSocket=$cpus Gres=gpu:1 $core
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF
    echo "NodeName=localhost Name=gpu File=/dev/null" > "$dir/gres.conf"
    echo "PMIxCliTmpDirBase=$dir/pmix" > "$dir/mpi.conf"
    return
  fi
  # Several slurmd on this one host, one per pretend node, each with its own port, spool, log and pid file
  # (%n is the node name). PMIxCliTmpDirBase knows no %n, and the nodes of one step would all create
  # <base>/spmix_appdir_<uid>_<job>.<step>: TmpFS, which expands %n, gives each node its own base instead.
  cat >> "$dir/slurm.conf" << EOF
SlurmdSpoolDir=$dir/spool/%n
SlurmdPidFile=$dir/run/slurmd-%n.pid
SlurmdLogFile=$dir/log/slurmd-%n.log
TmpFS=$dir/tmp/%n
EOF
  echo "NodeName=n1 Name=gpu File=/dev/null" > "$dir/gres.conf"
  : > "$dir/mpi.conf"
  local name gres
  for name in $(node_names "$nodes"); do
    gres=""
    [[ "$name" == n1 ]] && gres="Gres=gpu:1 "
    echo "NodeName=$name NodeHostname=localhost NodeAddr=127.0.0.1 Port=$(free_port) CPUs=$per_node" \
      "CoresPerSocket=$per_node $gres$core" >> "$dir/slurm.conf"
    mkdir -p "$dir/spool/$name" "$dir/tmp/$name"
  done
  echo "PartitionName=debug Nodes=$(node_names "$nodes" | paste -sd,) Default=YES MaxTime=INFINITE State=UP" \
    >> "$dir/slurm.conf"
}

nodes_idle() {
  local states
  states=$(sinfo -h -N -o '%T' 2> /dev/null | sort -u)
  [[ "$states" == idle ]]
}

start() {
  local dir=$1 nodes=$2 owner=$3 cred_expire=$4
  [[ "$dir" == /* ]] || die "state directory '$dir' must be an absolute path"
  [[ ${#dir} -le 60 ]] || die "state directory '$dir' is ${#dir} characters long; at most 60 (Unix socket paths)"
  [[ "$nodes" =~ ^[1-9][0-9]*$ ]] || die "--nodes must be a positive number, not '$nodes'"
  # Slurm takes a lifetime under 5 s for a typo and silently uses 120 s instead.
  [[ "$cred_expire" =~ ^[0-9]+$ && "$cred_expire" -ge 5 ]] \
    || die "--cred-expire must be a number of seconds, at least 5, not '$cred_expire'"
  mkdir -p "$dir"
  [[ -z "$(ls -A "$dir")" ]] || die "state directory '$dir' is not empty"
  local tool
  for tool in munged mungekey slurmctld slurmd sbatch scontrol sinfo python3; do
    command -v "$tool" > /dev/null \
      || die "$tool not found: install slurm-wlm and munge (scripts/install-deps.sh --test)"
  done
  mkdir -p "$dir"/{munge,ctld,spool,log,run,pmix}
  # munged insists: socket directory o+x and not group/other-writable, key readable by its owner only.
  chmod 0755 "$dir" "$dir/munge"
  write_config "$dir" "$nodes" "$cred_expire"
  export SLURM_CONF="$dir/slurm.conf"

  mungekey -c -k "$dir/munge/key" > /dev/null 2>&1 || die "mungekey could not create $dir/munge/key"
  chmod 0600 "$dir/munge/key"
  munged --force --socket="$dir/munge/sock" --key-file="$dir/munge/key" --pid-file="$dir/run/munged.pid" \
    --log-file="$dir/log/munged.log" --seed-file="$dir/munge/seed" \
    || die "munged did not start; see $dir/log/munged.log"
  wait_for 10 test -S "$dir/munge/sock" || die "munged made no socket in 10 s; see $dir/log/munged.log"

  slurmctld -f "$SLURM_CONF" || die "slurmctld did not start; see $dir/log/slurmctld.log"
  wait_for 20 scontrol ping || die "slurmctld does not answer after 20 s; see $dir/log/slurmctld.log"
  local name
  for name in $(node_names "$nodes"); do
    slurmd -f "$SLURM_CONF" -N "$name" || die "slurmd -N $name did not start; see $dir/log/"
  done
  if ! wait_for 30 nodes_idle; then
    die "the nodes are not idle after 30 s: $(sinfo -h -N -o '%N %T %E' 2> /dev/null | paste -sd';');" \
      "see $dir/log/"
  fi

  if [[ -n "$owner" ]]; then
    # Detached from our stdout, so that a caller reading it does not wait for the watchdog to end; without
    # SLURM_CONF, the mark of the cluster's processes (cluster_pids), since the watchdog is not one of them.
    env -u SLURM_CONF setsid "$0" watchdog "$dir" "$owner" < /dev/null > "$dir/log/watchdog.log" 2>&1 &
    echo $! > "$dir/run/watchdog.pid"
  fi
  echo "export SLURM_CONF=$SLURM_CONF"
}

stop_pid_file() {
  local file=$1 pid
  [[ -s "$file" ]] || return 0
  pid=$(cat "$file" 2> /dev/null) || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  alive "$pid" || return 0
  kill -TERM "$pid" 2> /dev/null || return 0
  local end=$((SECONDS + 15))
  while alive "$pid" && [[ $SECONDS -lt $end ]]; do sleep 0.2; done
  if alive "$pid"; then
    kill -KILL "$pid" 2> /dev/null || true
  fi
}

# The Slurm queue of the cluster in DIR, one job id a line (nothing if slurmctld does not answer).
queue() {
  SLURM_CONF="$1/slurm.conf" timeout 10 squeue -h -o %i 2> /dev/null || true
}

# Jobs outlive slurmd (their slurmstepd are daemons of their own): cancel every job of this cluster and give the
# steps time to end (SIGTERM, KillWait=5 s, SIGKILL, then the nodes report the job complete) before the daemons go.
cancel_jobs() {
  local dir=$1 pid
  pid=$(cat "$dir/run/slurmctld.pid" 2> /dev/null) || return 0
  if ! [[ -f "$dir/slurm.conf" && "$pid" =~ ^[0-9]+$ ]] || ! alive "$pid" || [[ -z "$(queue "$dir")" ]]; then
    return 0
  fi
  SLURM_CONF="$dir/slurm.conf" timeout 10 scancel --quiet --partition=debug 2> /dev/null || true
  local end=$((SECONDS + 15))
  while [[ -n "$(queue "$dir")" && $SECONDS -lt $end ]]; do sleep 0.5; done
}

# This shell and its ancestors: never ended by stop (the caller may be a watchdog, or a shell that has SLURM_CONF).
lineage() {
  local pid=$BASHPID
  while [[ "$pid" =~ ^[0-9]+$ && "$pid" -gt 1 ]]; do
    echo "$pid"
    pid=$(ps -o ppid= -p "$pid" 2> /dev/null | tr -d ' ') || break
  done
}

# The processes of the cluster in DIR, one pid a line. Everything started for the cluster carries
# SLURM_CONF=DIR/slurm.conf in its environment: the daemons were started with it, slurmstepd is forked by slurmd,
# and a job's processes (batch script, srun, the steps' tasks, MPI ranks, mpirun and prted) inherit the
# environment of the sbatch that submitted it. munged is matched by DIR in its command line as well. The mark
# is this cluster's alone, so the processes of another cluster on the same machine are never matched. Zombies
# (PID 1 here reaps late) and this script's own line of ancestors are left out.
cluster_pids() {
  local dir=$1 ours pid
  ours=" $(lineage | paste -sd' ') "
  for pid in $({ grep -lzxF "SLURM_CONF=$dir/slurm.conf" /proc/[0-9]*/environ
                 grep -lzF "$dir/" /proc/[0-9]*/cmdline; } 2> /dev/null | cut -d/ -f3 | sort -un || true); do
    if [[ "$ours" != *" $pid "* ]] && alive "$pid"; then
      echo "$pid"
    fi
  done
}

# The processes of the cluster but its daemons (those with a pid file) and their children (slurmctld's
# slurmscriptd): the jobs' processes and slurmstepd, which slurmd starts detached.
job_pids() {
  local dir=$1 daemons pid
  daemons=" $(cat "$dir"/run/{munged,slurmctld,slurmd*}.pid 2> /dev/null | paste -sd' ') "
  for pid in $(cluster_pids "$dir"); do
    if [[ "$daemons" != *" $pid "* && "$daemons" != *" $(ps -o ppid= -p "$pid" | tr -d ' ') "* ]]; then
      echo "$pid"
    fi
  done
}

no_job_pids() {
  [[ -z "$(job_pids "$1")" ]]
}

show_processes() {
  [[ $# -gt 0 ]] || return 0
  ps -o pid,ppid,pgid,stat,etime,args -p "$(echo "$@" | tr ' ' ,)" 2> /dev/null || true
}

# Ends the jobs' processes that outlived the cancel, e.g. the slurmstepd of a heterogeneous step whose other
# component never started (22.05's mpi/pmix deadlocks in its fini: the fence's sender retries under the lock that
# the agent thread waits for) with the srun and ranks that wait for it, or a process that left its job's process
# tree. SIGTERM (and SIGCONT, for a stopped one) first, SIGKILL to whatever is still there 3 s later.
end_leftovers() {
  local dir=$1
  local -a pids
  mapfile -t pids < <(job_pids "$dir")
  [[ ${#pids[@]} -gt 0 ]] || return 0
  {
    echo "slurm_cluster.sh: stop: these processes of the cluster in $dir outlived the cancel of its jobs; ending them:"
    show_processes "${pids[@]}"
  } >&2
  kill -TERM "${pids[@]}" 2> /dev/null || true
  kill -CONT "${pids[@]}" 2> /dev/null || true
  wait_for 3 no_job_pids "$dir" && return 0
  # Listed again: a pid of a process that has ended since may belong to another process by now.
  mapfile -t pids < <(job_pids "$dir")
  if [[ ${#pids[@]} -gt 0 ]]; then
    kill -KILL "${pids[@]}" 2> /dev/null || true
  fi
  wait_for 5 no_job_pids "$dir" || true
}

# Cancels the jobs, ends what the cancel left (before the daemons: a slurmd waiting on a slurmstepd that answers
# nothing would not stop either), stops the daemons by their pid files and ends whatever is still left; then checks
# that no process of the cluster remains.
stop() {
  local dir=$1 file
  local -a left
  if [[ -d "$dir/run" ]]; then
    if [[ "${HS_WATCHDOG:-}" != 1 ]]; then
      stop_pid_file "$dir/run/watchdog.pid"
    fi
    cancel_jobs "$dir"
    end_leftovers "$dir"
    for file in "$dir"/run/slurmd*.pid; do
      stop_pid_file "$file"
    done
    stop_pid_file "$dir/run/slurmctld.pid"
    stop_pid_file "$dir/run/munged.pid"
    # Their numbers may belong to other processes from now on.
    rm -f "$dir"/run/*.pid
  fi
  end_leftovers "$dir"
  mapfile -t left < <(cluster_pids "$dir")
  if [[ ${#left[@]} -gt 0 ]]; then
    {
      echo "slurm_cluster.sh: stop: processes of the cluster in $dir are still running after SIGKILL:"
      show_processes "${left[@]}"
    } >&2
    return 1
  fi
}

watchdog() {
  local dir=$1 owner=$2
  while alive "$owner" && [[ -d "$dir/run" ]]; do sleep 2; done
  echo "owner $owner has gone: stopping the cluster in $dir"
  HS_WATCHDOG=1 stop "$dir"
}

usage="usage: $0 start DIR [--nodes N] [--owner PID] [--cred-expire SECONDS] | stop DIR | ps DIR"
command="${1:-}"
[[ $# -ge 2 ]] || die "$usage"
dir="${2%/}"
shift 2
case "$command" in
  start)
    nodes=1
    owner=""
    cred_expire=120
    while [[ $# -gt 0 ]]; do
      case "$1" in
        --nodes) nodes="${2:?--nodes needs a number}"; shift 2 ;;
        --owner) owner="${2:?--owner needs a PID}"; shift 2 ;;
        --cred-expire) cred_expire="${2:?--cred-expire needs a number of seconds}"; shift 2 ;;
        *) die "$usage" ;;
      esac
    done
    start "$dir" "$nodes" "$owner" "$cred_expire"
    ;;
  stop) stop "$dir" ;;
  ps)
    mapfile -t pids < <(cluster_pids "$dir")
    show_processes "${pids[@]}"
    ;;
  watchdog) watchdog "$dir" "${1:?}" ;;
  *) die "$usage" ;;
esac
