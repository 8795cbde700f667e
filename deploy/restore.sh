#!/bin/sh
# Runs `petition-bot restore` as the service would run: the same (dynamic) user, state
# directory, settings, token and signer key, so the restored database belongs to the service.
# Stop the bot first (systemctl stop petition-bot). Examples, as root:
#
#   deploy/restore.sh /var/lib/petition-bot/backups/petition-bot-….sqlite3.age --identity - < key.txt
#   age -d -i key.txt backup.sqlite3.age | deploy/restore.sh -
#
# The age identity (key.txt) only passes through standard input: it is never stored here.
set -eu
exec systemd-run --quiet --pipe --wait --collect \
	--property=DynamicUser=yes \
	--property=StateDirectory=petition-bot \
	--property=StateDirectoryMode=0700 \
	--property=UMask=0077 \
	--property=WorkingDirectory=/var/lib/petition-bot \
	--property=EnvironmentFile=/etc/petition-bot/petition-bot.env \
	--property=Environment=DATABASE_PATH=/var/lib/petition-bot/bot.sqlite3 \
	--property=Environment=BACKUP_DIR=/var/lib/petition-bot/backups \
	--property=Environment=CAMPAIGNS_DIR=/etc/petition-bot/campaigns \
	--property=LoadCredential=bot-token:/etc/petition-bot/bot-token \
	--property=LoadCredential=signer.key:/etc/petition-bot/signer.key \
	/opt/petition-bot/bin/petition-bot restore "$@"
