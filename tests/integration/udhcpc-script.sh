#!/bin/sh
# udhcpc's hook for tests: record what was granted in $LEASE_OUT and
# configure the address in this namespace; never touches resolv.conf.
case "$1" in
bound|renew)
	{
		echo "ip=$ip"; echo "mask=$mask"; echo "router=$router"
		echo "dns=$dns"; echo "domain=$domain"; echo "lease=$lease"
		echo "serverid=$serverid"; echo "hostname=$hostname"
		echo "boot_file=$boot_file"; echo "siaddr=$siaddr"
	} > "$LEASE_OUT"
	ip addr flush dev "$interface" 2>/dev/null
	ip addr add "$ip/${mask:-24}" dev "$interface"
	;;
deconfig)
	ip addr flush dev "$interface" 2>/dev/null
	;;
esac
exit 0
