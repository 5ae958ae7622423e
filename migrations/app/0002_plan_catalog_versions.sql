CREATE TABLE `plan_catalog_versions` (
	`version` integer PRIMARY KEY NOT NULL,
	`effective_from` integer NOT NULL,
	`document` text NOT NULL,
	`after_change_seq` integer NOT NULL,
	`applied_at` integer NOT NULL,
	`hash` text NOT NULL
);
