-- outbox_records is looked up only by its key (account_id, id): WITHOUT ROWID stores each row in
-- that key's b-tree, instead of a rowid table plus a separate index, so a pushed record writes
-- one b-tree, not two (catch-up pushes 100,000 of them). Drizzle cannot express WITHOUT ROWID,
-- hence this hand-written migration; schema.ts says so beside the table.
CREATE TABLE `__new_outbox_records` (
	`account_id` text NOT NULL,
	`id` text NOT NULL,
	`device_id` text NOT NULL,
	`kind` text NOT NULL,
	`fingerprint` text NOT NULL,
	`body` text NOT NULL,
	`outcome` text NOT NULL,
	`received_at` integer NOT NULL,
	PRIMARY KEY(`account_id`, `id`),
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
) WITHOUT ROWID;
--> statement-breakpoint
INSERT INTO `__new_outbox_records` (`account_id`, `id`, `device_id`, `kind`, `fingerprint`, `body`, `outcome`, `received_at`)
	SELECT `account_id`, `id`, `device_id`, `kind`, `fingerprint`, `body`, `outcome`, `received_at` FROM `outbox_records`;
--> statement-breakpoint
DROP TABLE `outbox_records`;
--> statement-breakpoint
ALTER TABLE `__new_outbox_records` RENAME TO `outbox_records`;
