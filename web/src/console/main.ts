import { confirmMarkedForms } from '../lib/confirm-forms.ts';

/**
 * The console's browser code: a confirmation before deactivating or blocking a sales unit and before revoking a key.
 * Every page works without it (the forms post and the server does the rest).
 */
confirmMarkedForms();
