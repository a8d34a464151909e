import { USER_ACTION_TIMEOUT_MS } from '../../domain/payment.ts';
import { clockText } from '../../shared/countdown.ts';
import { formatNok } from '../../shared/money-text.ts';
import { PHONE_RULE_TEXT } from '../../shared/phone-number.ts';
import type { PaymentRequestView } from '../../shared/view-models.ts';
import { renderPage } from '../web/templates.ts';

export function messagePage(title: string, message: string): string {
  return renderPage('message', { title, message });
}

/**
 * The desktop landing page (web/templates/landing.eta, kept live by web/src/landing.ts): merchant, amount and text;
 * the phone number (pre-filled from customerInfo); then "continue in the Vipps app" while it waits, and the redirect
 * to fallBack when the payment ends — approved, rejected, failed or timed out.
 */
export function landingPage(view: PaymentRequestView): string {
  return renderPage('landing', {
    token: view.token,
    fallBack: view.fallBack,
    merchantName: view.merchantName,
    initial: (view.merchantName.trim()[0] ?? 'V').toUpperCase(),
    amountText: formatNok(view.amountOre),
    transactionText: view.transactionText,
    mobileNumber: view.mobileNumber ?? '',
    phoneRule: PHONE_RULE_TEXT,
    secondsLeft: view.secondsLeft,
    totalSeconds: USER_ACTION_TIMEOUT_MS / 1000,
    leftText: clockText(view.secondsLeft),
    finished: view.finished,
  });
}
