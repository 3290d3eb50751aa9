/** What translating a send-phone-message Action answers. Lines are those of the original code. */

export interface TranslationChange {
  line: number;
  description: string;
}

export interface TranslationWarning {
  line: number;
  /** Stable, for tooling: `user_identities`, `module_unavailable`, `dynamic_require`, `dynamic_secret`, `other_triggers`, `non_otp_notifications`. */
  code: string;
  message: string;
}

export interface Translation {
  /** The custom-phone-provider Action's code. */
  code: string;
  changes: TranslationChange[];
  warnings: TranslationWarning[];
  /** Names of the `event.secrets` the code reads; their values are not copied (set them on the new Action). */
  secrets: string[];
}
