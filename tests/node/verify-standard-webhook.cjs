// Verifies one webhook request with the Standard Webhooks reference implementation.
// stdin: {"secret": "whsec_...", "headers": {"webhook-id": ..., ...}, "body": "<raw body>"}
// Prints "valid" and exits 0, or prints the library's error and exits 1.
const { Webhook } = require('standardwebhooks');

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', chunk => { input += chunk; });
process.stdin.on('end', () => {
  const { secret, headers, body } = JSON.parse(input);
  try {
    new Webhook(secret).verify(body, headers);
    console.log('valid');
  } catch (error) {
    console.log(`invalid: ${error.message}`);
    process.exitCode = 1;
  }
});
