/**
 * Wire schemas of the one-time payment QR endpoint of the Vipps QR API (`POST /qr/v1`), as the official
 * ecomm v2 Postman collection calls it. Lenient like the ecomm schemas: unknown fields are accepted and ignored.
 */
import { Type } from 'typebox';

export const QrBody = Type.Object({
  url: Type.String({
    minLength: 1,
    maxLength: 2048,
    description: 'The landing-page `url` from initiate (a Kasse landing URL of one of this sales unit’s payments)',
  }),
});

/** `Accept: text/targetUrl`: where the image can be fetched instead of the image itself. */
export const QrTargetUrlResponse = Type.Object({
  url: Type.String({ description: 'URL of the QR image (PNG)' }),
});
