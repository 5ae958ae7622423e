CREATE TABLE `ledger_accounts` (
	`id` text PRIMARY KEY NOT NULL,
	`kind` text NOT NULL,
	`customer_account_id` text,
	`currency` text NOT NULL,
	`debits_posted` integer DEFAULT 0 NOT NULL,
	`credits_posted` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `ledger_accounts_customer` ON `ledger_accounts` (`customer_account_id`);--> statement-breakpoint
CREATE TABLE `ledger_transfers` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`id` text NOT NULL,
	`kind` text NOT NULL,
	`debit_account_id` text NOT NULL,
	`credit_account_id` text NOT NULL,
	`amount` integer NOT NULL,
	`currency` text NOT NULL,
	`customer_account_id` text,
	`source_id` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`debit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`credit_account_id`) REFERENCES `ledger_accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_transfers_id` ON `ledger_transfers` (`id`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_source` ON `ledger_transfers` (`source_id`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_debit` ON `ledger_transfers` (`debit_account_id`);--> statement-breakpoint
CREATE INDEX `ledger_transfers_credit` ON `ledger_transfers` (`credit_account_id`);--> statement-breakpoint
-- Hand-written: the books before the ledger, carried over. Each account's wallet_balance becomes
-- an opening transfer (into the customer's wallet from the opening-balance account, or a debt as a
-- receivable); each order paid so far gets its payment transfer and each refund its refund
-- transfer, between the provider's clearing account and the opening balance (what they paid for
-- is in the carried balances already). Then the column goes.
INSERT OR IGNORE INTO `ledger_accounts` (`id`, `kind`, `customer_account_id`, `currency`, `created_at`)
  SELECT 'opening:' || `wallet_currency`, 'opening_balance', NULL, `wallet_currency`, 0 FROM `accounts` WHERE `wallet_balance` <> 0
  UNION SELECT 'opening:' || `currency`, 'opening_balance', NULL, `currency`, 0 FROM `orders` WHERE `state` IN ('paid', 'partially_refunded', 'refunded')
  UNION SELECT 'clearing:' || `provider` || ':' || `currency`, 'provider_clearing', NULL, `currency`, 0 FROM `orders` WHERE `state` IN ('paid', 'partially_refunded', 'refunded');
--> statement-breakpoint
INSERT INTO `ledger_accounts` (`id`, `kind`, `customer_account_id`, `currency`, `created_at`)
  SELECT 'wallet:' || `id` || ':' || `wallet_currency`, 'customer_wallet', `id`, `wallet_currency`, `created_at` FROM `accounts` WHERE `wallet_balance` > 0;
--> statement-breakpoint
INSERT INTO `ledger_accounts` (`id`, `kind`, `customer_account_id`, `currency`, `created_at`)
  SELECT 'receivable:' || `id` || ':' || `wallet_currency`, 'receivable', `id`, `wallet_currency`, `created_at` FROM `accounts` WHERE `wallet_balance` < 0;
--> statement-breakpoint
INSERT INTO `ledger_transfers` (`id`, `kind`, `debit_account_id`, `credit_account_id`, `amount`, `currency`, `customer_account_id`, `source_id`, `at`)
  SELECT 'opening:' || `id`, 'opening_balance',
    CASE WHEN `wallet_balance` > 0 THEN 'opening:' || `wallet_currency` ELSE 'receivable:' || `id` || ':' || `wallet_currency` END,
    CASE WHEN `wallet_balance` > 0 THEN 'wallet:' || `id` || ':' || `wallet_currency` ELSE 'opening:' || `wallet_currency` END,
    abs(`wallet_balance`), `wallet_currency`, `id`, `id`, CAST(strftime('%s', 'now') AS INTEGER) * 1000
  FROM `accounts` WHERE `wallet_balance` <> 0 ORDER BY `id`;
--> statement-breakpoint
INSERT INTO `ledger_transfers` (`id`, `kind`, `debit_account_id`, `credit_account_id`, `amount`, `currency`, `customer_account_id`, `source_id`, `at`)
  SELECT 'payment:' || `order_no`, 'payment', 'clearing:' || `provider` || ':' || `currency`, 'opening:' || `currency`,
    `amount`, `currency`, `account_id`, `id`, `updated_at`
  FROM `orders` WHERE `state` IN ('paid', 'partially_refunded', 'refunded') ORDER BY `created_at`, `id`;
--> statement-breakpoint
INSERT INTO `ledger_transfers` (`id`, `kind`, `debit_account_id`, `credit_account_id`, `amount`, `currency`, `customer_account_id`, `source_id`, `at`)
  SELECT 'refund:' || r.`provider` || ':' || r.`refund_id`, 'refund', 'opening:' || o.`currency`, 'clearing:' || o.`provider` || ':' || o.`currency`,
    r.`amount`, o.`currency`, o.`account_id`, r.`provider` || ':' || r.`refund_id`, r.`at`
  FROM `refunds` r JOIN `orders` o ON o.`id` = r.`order_id` ORDER BY r.`at`, r.`refund_id`;
--> statement-breakpoint
UPDATE `ledger_accounts` SET
  `debits_posted` = (SELECT COALESCE(SUM(`amount`), 0) FROM `ledger_transfers` WHERE `debit_account_id` = `ledger_accounts`.`id`),
  `credits_posted` = (SELECT COALESCE(SUM(`amount`), 0) FROM `ledger_transfers` WHERE `credit_account_id` = `ledger_accounts`.`id`);
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_no_update` BEFORE UPDATE ON `ledger_transfers`
  BEGIN SELECT RAISE(ABORT, 'ledger transfers are immutable: post a reversing transfer'); END;
--> statement-breakpoint
CREATE TRIGGER `ledger_transfers_no_delete` BEFORE DELETE ON `ledger_transfers`
  BEGIN SELECT RAISE(ABORT, 'ledger transfers are immutable: post a reversing transfer'); END;
--> statement-breakpoint
ALTER TABLE `accounts` DROP COLUMN `wallet_balance`;