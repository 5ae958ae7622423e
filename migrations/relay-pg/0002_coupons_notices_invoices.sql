CREATE TABLE "account_settings" (
	"account_id" text PRIMARY KEY NOT NULL,
	"language" text DEFAULT 'zh-CN' NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "billing_details" (
	"account_id" text PRIMARY KEY NOT NULL,
	"details" text NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coupon_grants" (
	"id" text PRIMARY KEY NOT NULL,
	"coupon_id" text NOT NULL,
	"account_id" text NOT NULL,
	"code" text,
	"state" text NOT NULL,
	"valid_from" timestamp (3) with time zone NOT NULL,
	"valid_until" timestamp (3) with time zone,
	"used_by" text,
	"renewal_of" text,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coupon_redemptions" (
	"id" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"coupon_id" text NOT NULL,
	"code" text,
	"grant_id" text,
	"account_id" text NOT NULL,
	"order_id" text,
	"purchase_id" text,
	"state" text NOT NULL,
	"discount" bigint NOT NULL,
	"currency" text NOT NULL,
	"plan_code" text,
	"period" text,
	"periods_left" integer,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "coupon_uses" (
	"scope" text NOT NULL,
	"account_id" text NOT NULL,
	"used" integer NOT NULL,
	CONSTRAINT "coupon_uses_scope_account_id_pk" PRIMARY KEY("scope","account_id")
);
--> statement-breakpoint
CREATE TABLE "coupons" (
	"id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"off_json" text NOT NULL,
	"currency" text NOT NULL,
	"minimum" bigint,
	"max_discount" bigint,
	"total_limit" integer,
	"per_account_limit" integer,
	"first_purchase_only" integer DEFAULT 0 NOT NULL,
	"valid_from" timestamp (3) with time zone,
	"valid_until" timestamp (3) with time zone,
	"active" integer DEFAULT 1 NOT NULL,
	"applies_json" text NOT NULL,
	"duration_json" text NOT NULL,
	"redeemed" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "credit_notes" (
	"number" text PRIMARY KEY NOT NULL,
	"invoice_number" text NOT NULL,
	"account_id" text NOT NULL,
	"refund_id" text NOT NULL,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"currency" text NOT NULL,
	"amount" bigint NOT NULL,
	"tax" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "debt_episodes" (
	"account_id" text PRIMARY KEY NOT NULL,
	"debt_id" text NOT NULL,
	"source_id" text NOT NULL,
	"started_at" timestamp (3) with time zone NOT NULL,
	"grace_ends_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "document_counters" (
	"series" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "document_counters_series_year_pk" PRIMARY KEY("series","year")
);
--> statement-breakpoint
CREATE TABLE "fapiao_requests" (
	"invoice_number" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"status" text NOT NULL,
	"requested_at" timestamp (3) with time zone NOT NULL,
	"decided_at" timestamp (3) with time zone,
	"fapiao_number" text,
	"reason" text,
	"file_type" text,
	"file" "bytea"
);
--> statement-breakpoint
CREATE TABLE "invoice_pdfs" (
	"invoice_number" text NOT NULL,
	"lang" text NOT NULL,
	"version" integer NOT NULL,
	"pdf" "bytea" NOT NULL,
	"rendered_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "invoice_pdfs_invoice_number_lang_version_pk" PRIMARY KEY("invoice_number","lang","version")
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"number" text PRIMARY KEY NOT NULL,
	"account_id" text NOT NULL,
	"source_kind" text NOT NULL,
	"source_id" text NOT NULL,
	"issued_at" timestamp (3) with time zone NOT NULL,
	"status" text NOT NULL,
	"currency" text NOT NULL,
	"total" bigint NOT NULL,
	"tax" bigint NOT NULL,
	"discount" bigint NOT NULL,
	"credited" bigint DEFAULT 0 NOT NULL,
	"credited_tax" bigint DEFAULT 0 NOT NULL,
	"lines" text NOT NULL,
	"buyer" text,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notice_emails" (
	"notice_id" text NOT NULL,
	"recipient" text NOT NULL,
	"account_id" text NOT NULL,
	"kind" text NOT NULL,
	"language" text NOT NULL,
	"message_id" text NOT NULL,
	"sent_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "notice_emails_notice_id_recipient_pk" PRIMARY KEY("notice_id","recipient")
);
--> statement-breakpoint
CREATE TABLE "notice_opt_outs" (
	"account_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "notice_opt_outs_account_id_kind_pk" PRIMARY KEY("account_id","kind")
);
--> statement-breakpoint
CREATE TABLE "notices" (
	"account_id" text NOT NULL,
	"notice_id" text NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "notices_account_id_notice_id_pk" PRIMARY KEY("account_id","notice_id")
);
--> statement-breakpoint
CREATE TABLE "promotion_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"coupon_id" text NOT NULL,
	"total_limit" integer,
	"per_account_limit" integer,
	"valid_until" timestamp (3) with time zone,
	"active" integer DEFAULT 1 NOT NULL,
	"redeemed" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "discount_amount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "bonus_amount" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "account_settings" ADD CONSTRAINT "account_settings_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "billing_details" ADD CONSTRAINT "billing_details_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coupon_grants" ADD CONSTRAINT "coupon_grants_coupon_id_coupons_id_fk" FOREIGN KEY ("coupon_id") REFERENCES "public"."coupons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "credit_notes" ADD CONSTRAINT "credit_notes_invoice_number_invoices_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "debt_episodes" ADD CONSTRAINT "debt_episodes_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fapiao_requests" ADD CONSTRAINT "fapiao_requests_invoice_number_invoices_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoice_pdfs" ADD CONSTRAINT "invoice_pdfs_invoice_number_invoices_number_fk" FOREIGN KEY ("invoice_number") REFERENCES "public"."invoices"("number") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_opt_outs" ADD CONSTRAINT "notice_opt_outs_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notices" ADD CONSTRAINT "notices_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "promotion_codes" ADD CONSTRAINT "promotion_codes_coupon_id_coupons_id_fk" FOREIGN KEY ("coupon_id") REFERENCES "public"."coupons"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coupon_grants_account" ON "coupon_grants" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "coupon_grants_coupon" ON "coupon_grants" USING btree ("coupon_id","state");--> statement-breakpoint
CREATE INDEX "coupon_redemptions_account" ON "coupon_redemptions" USING btree ("account_id","plan_code","period");--> statement-breakpoint
CREATE UNIQUE INDEX "coupon_redemptions_order" ON "coupon_redemptions" USING btree ("order_id");--> statement-breakpoint
CREATE UNIQUE INDEX "coupon_redemptions_purchase" ON "coupon_redemptions" USING btree ("account_id","purchase_id");--> statement-breakpoint
CREATE UNIQUE INDEX "credit_notes_refund" ON "credit_notes" USING btree ("refund_id");--> statement-breakpoint
CREATE INDEX "credit_notes_invoice" ON "credit_notes" USING btree ("invoice_number");--> statement-breakpoint
CREATE INDEX "credit_notes_account" ON "credit_notes" USING btree ("account_id");--> statement-breakpoint
CREATE INDEX "fapiao_requests_account" ON "fapiao_requests" USING btree ("account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "fapiao_requests_fapiao_number" ON "fapiao_requests" USING btree ("fapiao_number");--> statement-breakpoint
CREATE UNIQUE INDEX "invoices_source" ON "invoices" USING btree ("source_kind","source_id");--> statement-breakpoint
CREATE INDEX "invoices_account" ON "invoices" USING btree ("account_id","issued_at");--> statement-breakpoint
CREATE INDEX "promotion_codes_coupon" ON "promotion_codes" USING btree ("coupon_id");