'use strict';

// Logs the greeting configured on the rule's action.
module.exports = function(settings) {
  turbine.logger.log(settings.greeting || 'Hello');
};
