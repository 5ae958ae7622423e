CREATE TABLE `integrity_checkpoints` (
	`ledger` text PRIMARY KEY NOT NULL,
	`seq` integer NOT NULL,
	`hash` text NOT NULL,
	`count` integer NOT NULL,
	`sums` text NOT NULL,
	`checked_at` integer NOT NULL,
	`mark` text NOT NULL
);
